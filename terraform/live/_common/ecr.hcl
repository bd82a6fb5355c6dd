locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/../modules//ecr"
}

inputs = {
  name_prefix  = "count-pipeline/${local.env.environment}"
  force_delete = !local.env.deletion_protection
}
