locals {
  env = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${dirname(find_in_parent_folders("root.hcl"))}/../modules//admin-token"
}

inputs = {
  name                        = local.env.name_prefix
  secret_recovery_window_days = local.env.deletion_protection ? 30 : 0
}
