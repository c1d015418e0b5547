-- Purpose: record a drawn dip sample (the filter, seed and size that re-draw it).
-- Parameters: :sample_id, :name, :set_key, :filter_text, :filter_json, :seed, :per_stratum,
--   :population, :now, :username.
INSERT INTO dip_sample (sample_id, name, set_key, filter_text, filter_json, seed, per_stratum,
                        population, created_at, created_by)
VALUES (:sample_id, :name, :set_key, :filter_text, :filter_json, :seed, :per_stratum,
        :population, :now, :username)
