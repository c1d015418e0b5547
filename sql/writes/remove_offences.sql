-- Purpose: remove the stored offences a whole extract no longer holds (the registered frame
-- `absent_offences`: crime_ref), with their outcome histories and victim-contact logs, so
-- that an offence the force has deleted or merged stops being counted. Civil orders and
-- breaches that name one are kept: they are records of their own.
-- Grain: deletes rows of offence, outcome and victim_contact. Parameters: none.

DELETE FROM outcome WHERE crime_ref IN (SELECT crime_ref FROM absent_offences);

DELETE FROM victim_contact WHERE crime_ref IN (SELECT crime_ref FROM absent_offences);

DELETE FROM offence WHERE crime_ref IN (SELECT crime_ref FROM absent_offences);
