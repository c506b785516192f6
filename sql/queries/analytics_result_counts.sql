-- How many results each analytics type has stored, and how long it takes on average.
SELECT
    analytics_type,
    COUNT(*) AS result_count,
    AVG(processing_duration) AS avg_duration
FROM analytics_processing_results
GROUP BY analytics_type;
