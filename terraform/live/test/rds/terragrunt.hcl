include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "component" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/_common/rds.hcl"
}

inputs = {
  instance_class               = "db.t4g.micro"
  multi_az                     = false
  backup_retention_days        = 1
  performance_insights         = false
  enhanced_monitoring_interval = 0
  apply_immediately            = true
}
