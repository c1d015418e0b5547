-- Purpose: the first month with a recorded Victim Contact Agreement, anywhere in the store:
-- months before it say nothing about contact (the records did not capture agreements yet).
-- Grain: one row. Parameters: none.

SELECT min(offence_fact.recorded_month) AS first_month
FROM victim_contact
JOIN offence_fact USING (crime_ref);
