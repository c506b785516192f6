-- Processing status of every job, newest first.
SELECT
    df.file_name,
    fpj.status,
    pjt.overall_progress,
    pjt.current_step,
    pjt.created_at,
    pjt.completed_at
FROM file_processing_jobs fpj
JOIN data_files df ON fpj.data_file_id = df.id
LEFT JOIN processing_job_trackers pjt ON fpj.id = pjt.processing_job_id
ORDER BY fpj.created_at DESC;
