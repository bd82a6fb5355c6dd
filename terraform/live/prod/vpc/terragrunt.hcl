include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "component" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/_common/vpc.hcl"
}

inputs = {
  one_nat_gateway_per_az = true
}
