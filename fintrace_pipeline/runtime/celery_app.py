"""The Celery app FinTrace's workers run (``celery -A fintrace_pipeline.runtime.celery_app worker``):
dagster-celery's step task on the broker and backend the settings name, built the way dagster-celery's
own worker command builds it, so workers and the executor agree by reading the same environment."""

from dagster_celery.executor import CeleryExecutor
from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_task

from fintrace_pipeline.defs.executors import celery_app_args
from fintrace_pipeline.settings import get_settings

app = make_app(CeleryExecutor.for_cli(**celery_app_args(get_settings())).app_args())

execute_plan = create_task(app)
