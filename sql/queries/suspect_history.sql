-- Purpose: one suspect's complete history (the scrutiny review's recommendation 10): every
-- offence naming them, each outcome assigned to those offences, every civil order restricting
-- them with each step of its life, and every breach of those orders. Record level: only for
-- roles that may see records.
-- Grain: one row per event, in date order.
-- Parameters: $suspect_id (VARCHAR).

WITH offences AS (
    SELECT * FROM offence WHERE suspect_id = $suspect_id
),

orders AS (
    SELECT * FROM civil_order WHERE subject_id = $suspect_id
),

events AS (
    SELECT
        offences.recorded_date AS event_date,
        'Offence recorded' AS event,
        offences.crime_ref AS reference,
        offences.offence_type
            || CASE WHEN offences.is_domestic THEN ', DA' ELSE ', non-DA' END
            || ', ' || offences.district_code
            || coalesce(', victim ' || offences.victim_id, '') AS detail
    FROM offences

    UNION ALL

    SELECT
        outcome.outcome_date,
        'Outcome',
        outcome.crime_ref,
        outcome_type.outcome_code || ': ' || outcome_type.label
    FROM outcome
    JOIN offences USING (crime_ref)
    JOIN outcome_type USING (outcome_key)

    UNION ALL

    SELECT step.event_date, step.event, orders.order_id,
        orders.order_type || ', ' || orders.district_code
            || coalesce(', protects ' || orders.protected_id, '')
            || coalesce(', offence ' || orders.crime_ref, '')
    FROM orders,
    LATERAL (
        VALUES
            (orders.applied_date, 'Order applied for'),
            (orders.interim_date, 'Interim order made'),
            (orders.granted_date, 'Full order made'),
            (orders.refused_date, 'Order refused'),
            (orders.discharged_date, 'Order discharged'),
            -- an expiry after the extract date has not happened: it is due (helper 90: "Order
            -- expires" in November 2022 read as an event of a January 2022 extract)
            (orders.expiry_date,
             CASE WHEN orders.expiry_date > (SELECT extract_date FROM current_dataset)
                  THEN 'Order due to expire' ELSE 'Order expired' END)
    ) AS step (event_date, event)
    WHERE step.event_date IS NOT NULL

    UNION ALL

    SELECT
        breach.breach_date,
        'Breach of order',
        breach.order_id,
        coalesce('offence ' || breach.crime_ref, 'no offence recorded')
            || coalesce(', outcome ' || outcome_type.outcome_code || ': ' || outcome_type.label,
                        ', no outcome yet')
    FROM breach
    JOIN orders USING (order_id)
    LEFT JOIN outcome_type USING (outcome_key)
)

SELECT event_date, event, reference, detail
FROM events
ORDER BY
    event_date,
    -- on one day: an application before its orders, an offence before its outcome
    CASE event
        WHEN 'Order applied for' THEN 1
        WHEN 'Interim order made' THEN 2
        WHEN 'Full order made' THEN 3
        WHEN 'Offence recorded' THEN 4
        WHEN 'Breach of order' THEN 5
        WHEN 'Outcome' THEN 6
        ELSE 7
    END,
    reference;
