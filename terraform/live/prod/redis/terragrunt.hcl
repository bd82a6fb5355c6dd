include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "component" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/_common/redis.hcl"
}

inputs = {
  node_type               = "cache.m7g.large"
  replica_count           = 2
  automatic_failover      = true
  multi_az                = true
  snapshot_retention_days = 7
}
