locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/../modules//vpc"
}

inputs = {
  name                    = local.env.name_prefix
  availability_zones      = local.env.availability_zones
  flow_log_retention_days = local.env.log_retention_days
}
