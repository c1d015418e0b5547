-- Purpose: the outcome framework for labels, groups and table order.
-- Grain: one row per outcome_key. Parameters: none.

SELECT outcome_key, outcome_code, label, official_name, outcome_group, group_short,
       group_confirmed, sort_order, counts_in_outcome_1_8

FROM outcome_type
ORDER BY sort_order;
