from shanxing_common.migrations import run_env

from shanxing_gateway.adapters.models import metadata

run_env(metadata)
