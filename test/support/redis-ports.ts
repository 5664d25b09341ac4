/**
 * Redis ports of the tests. The shared test cluster uses SLUICE_TEST_REDIS_BASE_PORT (default
 * 7100) to base + 5. The failover test starts a cluster of its own on base + 10 to base + 15,
 * because it kills a master, which would disturb the tests that share the other cluster. Each
 * cluster also uses its node ports + 10000 for the cluster bus.
 */
export const TEST_REDIS_BASE_PORT = Number(process.env.SLUICE_TEST_REDIS_BASE_PORT || 7100);

/** Offset of the failover test's own cluster from the shared cluster's base port. */
const FAILOVER_CLUSTER_OFFSET = 10;

export function failoverClusterBasePort(): number {
  return TEST_REDIS_BASE_PORT + FAILOVER_CLUSTER_OFFSET;
}
