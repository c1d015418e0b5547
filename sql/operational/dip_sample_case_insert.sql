-- Purpose: one case of a dip sample.
-- Parameters: :sample_id, :position, :crime_ref, :district_code, :is_domestic.
INSERT INTO dip_sample_case (sample_id, position, crime_ref, district_code, is_domestic)
VALUES (:sample_id, :position, :crime_ref, :district_code, :is_domestic)
