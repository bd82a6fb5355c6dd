include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "component" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/_common/rds.hcl"
}

inputs = {
  instance_class           = "db.m7g.large"
  multi_az                 = true
  allocated_storage_gb     = 100
  max_allocated_storage_gb = 500
  backup_retention_days    = 14
  performance_insights     = true
}
