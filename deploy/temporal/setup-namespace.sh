#!/bin/sh
# One-shot (the temporal-namespace service): waits for the Temporal server, creates the namespace unless
# it exists (temporalio/server, unlike the retired auto-setup image, creates none) and registers the
# search attributes the OMS sets (domain/ids.py SEARCH_ATTRIBUTES; tests/unit/test_compose.py keeps this
# list equal to it). Idempotent: an existing namespace or attribute is kept.
set -eu
NAMESPACE=${OMS_TEMPORAL_NAMESPACE:-default}

until temporal operator cluster health --address "${TEMPORAL_ADDRESS}" | grep -q SERVING; do
  echo "waiting for Temporal at ${TEMPORAL_ADDRESS}"
  sleep 2
done
if ! temporal operator namespace describe --namespace "${NAMESPACE}" >/dev/null 2>&1; then
  temporal operator namespace create --namespace "${NAMESPACE}" --retention "${NAMESPACE_RETENTION:-30d}"
fi
until temporal operator search-attribute list --namespace "${NAMESPACE}" >/dev/null 2>&1; do
  echo "waiting for namespace ${NAMESPACE}"
  sleep 1
done
register() {  # name type
  if temporal operator search-attribute list --namespace "${NAMESPACE}" | grep -qw "$1"; then
    return 0
  fi
  temporal operator search-attribute create --namespace "${NAMESPACE}" --name "$1" --type "$2"
}
register OrderStatus Keyword
register StoreId Keyword
register Channel Keyword
register StockAtRisk Bool
register SlaAtRisk Bool
register CheckedIn Bool
echo "namespace ${NAMESPACE}: search attributes registered"
