include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "component" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/_common/program.hcl"
}

inputs = {
  cpu          = 512
  memory       = 1024
  min_capacity = 2
  max_capacity = 10
}
