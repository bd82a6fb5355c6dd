include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "component" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/_common/redis.hcl"
}

inputs = {
  node_type               = "cache.t4g.micro"
  replica_count           = 0
  automatic_failover      = false
  multi_az                = false
  snapshot_retention_days = 0
}
