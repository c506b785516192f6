-- Failed jobs with their error message and the tracker's error log, newest first.
SELECT
    df.file_name,
    fpj.error_message,
    pjt.error_log,
    fpj.created_at
FROM file_processing_jobs fpj
JOIN data_files df ON fpj.data_file_id = df.id
LEFT JOIN processing_job_trackers pjt ON fpj.id = pjt.processing_job_id
WHERE fpj.status = 'FAILED'
ORDER BY fpj.created_at DESC;
