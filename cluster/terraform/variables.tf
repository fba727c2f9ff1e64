variable "region" {
  description = "AWS region of every resource (S3_REGION of the stack)."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "name" {
  description = "Prefix of every resource name (EKS cluster, RDS, ElastiCache, bucket, ECR, IAM)."
  type        = string
  default     = "ctv-adserver"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name must be 2-21 characters of a-z, 0-9 and '-', starting with a letter (ElastiCache and S3 limit the derived names)."
  }
}

variable "tags" {
  description = "Extra tags on every AWS resource."
  type        = map(string)
  default     = {}
}

variable "public_base_url" {
  description = "Absolute base of every URL handed to players (PUBLIC_BASE_URL): the DNS name you point at the serve load balancer, e.g. https://ads.example.com."
  type        = string

  validation {
    condition     = can(regex("^https?://[^/]+$", var.public_base_url))
    error_message = "public_base_url must be http(s)://host[:port] without a path or trailing slash."
  }
}

variable "tls_certificate_arn" {
  description = "ACM certificate for the public_base_url host; when set the serve load balancer terminates TLS on 443, else it listens for plain HTTP on 80."
  type        = string
  default     = ""

  validation {
    condition     = var.tls_certificate_arn == "" || can(regex("^arn:aws[a-z-]*:acm:", var.tls_certificate_arn))
    error_message = "tls_certificate_arn must be empty or an ACM certificate ARN."
  }
}

variable "vpc_cidr" {
  description = "CIDR of the VPC (a /16: private, public, database and cache subnets are cut from it)."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && endswith(var.vpc_cidr, "/16")
    error_message = "vpc_cidr must be an IPv4 /16, e.g. 10.40.0.0/16."
  }
}

variable "az_count" {
  description = "Availability zones the VPC, the nodes, RDS Multi-AZ and the Redis replicas spread over."
  type        = number
  default     = 3

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 3
    error_message = "az_count must be 2 or 3 (RDS and ElastiCache subnet groups need two zones)."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper) instead of one per zone (survives a zone outage)."
  type        = bool
  default     = false
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version."
  type        = string
  default     = "1.33"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must look like 1.33."
  }
}

variable "cluster_endpoint_public_access_cidrs" {
  description = "Networks allowed to reach the EKS API endpoint (operators, CI)."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = alltrue([for cidr in var.cluster_endpoint_public_access_cidrs : can(cidrnetmask(cidr))])
    error_message = "cluster_endpoint_public_access_cidrs must be IPv4 CIDRs."
  }
}

variable "node_instance_types" {
  description = "EC2 instance types of the managed node group; each must fit a Ray worker pod (3 CPU, 12 GiB by default, cluster/kuberay.py)."
  type        = list(string)
  default     = ["m6i.2xlarge"]

  validation {
    condition     = length(var.node_instance_types) > 0
    error_message = "node_instance_types needs at least one instance type."
  }
}

variable "node_min_size" {
  description = "Fewest nodes of the managed node group."
  type        = number
  default     = 2

  validation {
    condition     = var.node_min_size >= 1
    error_message = "node_min_size must be at least 1."
  }
}

variable "node_max_size" {
  description = "Most nodes of the managed node group (room for the Ray head, max workers, the dashboard and the operator)."
  type        = number
  default     = 6

  validation {
    condition     = var.node_max_size >= var.node_min_size
    error_message = "node_max_size must be at least node_min_size."
  }
}

variable "node_desired_size" {
  description = "Nodes at creation (later changes are left to an autoscaler)."
  type        = number
  default     = 2

  validation {
    condition     = var.node_desired_size >= var.node_min_size && var.node_desired_size <= var.node_max_size
    error_message = "node_desired_size must lie between node_min_size and node_max_size."
  }
}

variable "node_disk_size_gib" {
  description = "Root volume of each node (images, Ray logs and spilled objects, uploads being transcoded)."
  type        = number
  default     = 100

  validation {
    condition     = var.node_disk_size_gib >= 50
    error_message = "node_disk_size_gib must be at least 50 (the image alone is several GiB)."
  }
}

variable "kuberay_operator_version" {
  description = "Version of the kuberay-operator Helm chart (and operator)."
  type        = string
  default     = "1.5.1"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.kuberay_operator_version))
    error_message = "kuberay_operator_version must be a version such as 1.5.1."
  }
}

variable "namespace" {
  description = "Kubernetes namespace of the stack (python -m cluster.kuberay --namespace)."
  type        = string
  default     = "ctv"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS label."
  }
}

variable "service_account" {
  description = "Service account of the Ray pods, the one the IRSA role trusts (python -m cluster.kuberay --service-account)."
  type        = string
  default     = "ctv-adserver"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.service_account))
    error_message = "service_account must be a DNS label."
  }
}

variable "db_engine_version" {
  description = "PostgreSQL major version of RDS (minor versions are upgraded in the maintenance window)."
  type        = string
  default     = "16"

  validation {
    condition     = can(regex("^[0-9]{2}$", var.db_engine_version))
    error_message = "db_engine_version must be a major version such as 16."
  }
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.m7g.large"

  validation {
    condition     = startswith(var.db_instance_class, "db.")
    error_message = "db_instance_class must be an RDS class such as db.m7g.large."
  }
}

variable "db_allocated_storage_gib" {
  description = "Initial RDS storage (gp3)."
  type        = number
  default     = 50

  validation {
    condition     = var.db_allocated_storage_gib >= 20
    error_message = "db_allocated_storage_gib must be at least 20."
  }
}

variable "db_max_allocated_storage_gib" {
  description = "Ceiling of RDS storage autoscaling (ad_events grows by the day)."
  type        = number
  default     = 500

  validation {
    condition     = var.db_max_allocated_storage_gib >= var.db_allocated_storage_gib
    error_message = "db_max_allocated_storage_gib must be at least db_allocated_storage_gib."
  }
}

variable "db_name" {
  description = "Database the stack uses (the path of DATABASE_URL)."
  type        = string
  default     = "ctvads"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_name))
    error_message = "db_name must be a lower-case PostgreSQL identifier."
  }
}

variable "db_username" {
  description = "Master user of RDS, the one the stack connects as."
  type        = string
  default     = "ctv"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,15}$", var.db_username)) && !contains(["rdsadmin", "postgres", "admin"], var.db_username)
    error_message = "db_username must be a short lower-case identifier other than rdsadmin, postgres or admin."
  }
}

variable "db_multi_az" {
  description = "RDS standby in a second zone with automatic failover."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Days of RDS automated backups (point-in-time recovery window)."
  type        = number
  default     = 14

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be 1-35 (0 would switch backups off)."
  }
}

variable "deletion_protection" {
  description = "Refuse to destroy the RDS instance (turn off deliberately before a teardown)."
  type        = bool
  default     = true
}

variable "redis_engine_version" {
  description = "ElastiCache Redis OSS version (Streams with consumer groups need 5+)."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^[7-9]\\.[0-9]+$", var.redis_engine_version))
    error_message = "redis_engine_version must be 7.x or later, e.g. 7.1."
  }
}

variable "redis_node_type" {
  description = "ElastiCache node type (catalog, event stream, counters: memory-bound)."
  type        = string
  default     = "cache.m7g.large"

  validation {
    condition     = startswith(var.redis_node_type, "cache.")
    error_message = "redis_node_type must be an ElastiCache node type such as cache.m7g.large."
  }
}

variable "redis_replicas" {
  description = "Read replicas next to the Redis primary; with at least one, a failed primary fails over automatically."
  type        = number
  default     = 1

  validation {
    condition     = var.redis_replicas >= 0 && var.redis_replicas <= 5
    error_message = "redis_replicas must be 0-5."
  }
}

variable "redis_snapshot_retention_days" {
  description = "Days of daily Redis snapshots (0 switches them off)."
  type        = number
  default     = 7

  validation {
    condition     = var.redis_snapshot_retention_days >= 0 && var.redis_snapshot_retention_days <= 35
    error_message = "redis_snapshot_retention_days must be 0-35."
  }
}

variable "cloudfront_price_class" {
  description = "CloudFront price class of the creatives CDN (edge locations players fetch MP4s from)."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_All", "PriceClass_200", "PriceClass_100"], var.cloudfront_price_class)
    error_message = "cloudfront_price_class must be PriceClass_All, PriceClass_200 or PriceClass_100."
  }
}
