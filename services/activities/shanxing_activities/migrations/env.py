from shanxing_common.migrations import run_env

from shanxing_activities.adapters.models import metadata

run_env(metadata)
