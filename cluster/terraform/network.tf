data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

locals {
  azs = slice(data.aws_availability_zones.available.names, 0, var.az_count)
}

# Nodes in private /20s; load balancers in public /24s; RDS and ElastiCache in their own /24s.
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.21"

  name = var.name
  cidr = var.vpc_cidr
  azs  = local.azs

  private_subnets     = [for i in range(var.az_count) : cidrsubnet(var.vpc_cidr, 4, i)]
  public_subnets      = [for i in range(var.az_count) : cidrsubnet(var.vpc_cidr, 8, 48 + i)]
  database_subnets    = [for i in range(var.az_count) : cidrsubnet(var.vpc_cidr, 8, 52 + i)]
  elasticache_subnets = [for i in range(var.az_count) : cidrsubnet(var.vpc_cidr, 8, 56 + i)]

  create_database_subnet_group    = true
  create_elasticache_subnet_group = true

  enable_nat_gateway     = true
  single_nat_gateway     = var.single_nat_gateway
  one_nat_gateway_per_az = !var.single_nat_gateway
  enable_dns_hostnames   = true
  enable_dns_support     = true

  # Where Kubernetes puts internet-facing and internal load balancers.
  public_subnet_tags  = { "kubernetes.io/role/elb" = "1" }
  private_subnet_tags = { "kubernetes.io/role/internal-elb" = "1" }
}
