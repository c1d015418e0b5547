-- Purpose: replace the victim contact log of every offence named in the registered frame
-- `incoming_contacts` (the file gives each offence's whole log: agreement and contacts).
-- Grain: one row per contact (or per agreement with no contact yet). Parameters: none.

DELETE FROM victim_contact
WHERE crime_ref IN (SELECT DISTINCT crime_ref FROM incoming_contacts);

INSERT INTO victim_contact BY NAME SELECT * FROM incoming_contacts;
