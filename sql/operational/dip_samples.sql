-- Purpose: every dip sample, newest first.
SELECT sample_id, name, set_key, filter_text, filter_json, seed, per_stratum, population,
       created_at, created_by
FROM dip_sample
ORDER BY created_at DESC, name
