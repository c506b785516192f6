-- Per model type: runs, mean anomalies found and mean confidence.
SELECT
    model_type,
    COUNT(*) AS processing_count,
    AVG(anomalies_detected) AS avg_anomalies,
    AVG(confidence_score) AS avg_confidence
FROM ml_model_processing_results
GROUP BY model_type;
