include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "component" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/_common/program.hcl"
}

inputs = {
  min_capacity = 1
  max_capacity = 3
}
