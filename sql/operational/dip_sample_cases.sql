-- Purpose: the cases of one dip sample, in drawing order.  Parameters: :sample_id.
SELECT position, crime_ref, district_code, is_domestic
FROM dip_sample_case
WHERE sample_id = :sample_id
ORDER BY position
