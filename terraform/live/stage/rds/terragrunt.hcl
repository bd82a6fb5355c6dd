include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "component" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/_common/rds.hcl"
}

inputs = {
  instance_class        = "db.t4g.small"
  multi_az              = false
  backup_retention_days = 7
  performance_insights  = false
}
