// `procmatrix run --backend kubernetes`: the cluster's version and nodes first, then the
// namespaces, a Pod per cell (and node), verdicts with the API's refusals as observations,
// results.json with each node's provenance, the terminal matrix with identical nodes grouped,
// and everything created deleted at the end (also after a failure or Ctrl-C) unless --keep.
#pragma once

#include "cli.hpp"
#include "kube_options.hpp"

namespace procmatrix::harness {

int kube_run_command(const RunOptions& run, const KubeOptions& kube);

}  // namespace procmatrix::harness
