# What cluster/deploy.sh reads (terraform output -json). Outputs named s3_* map one to one onto
# the stack's settings (config/settings.py: S3_BUCKET, S3_REGION, S3_PUBLIC_BASE_URL);
# DATABASE_URL and REDIS_URL are built from the db_* and redis_* parts.

output "region" {
  description = "AWS region of the stack."
  value       = var.region
}

output "cluster_name" {
  description = "EKS cluster (aws eks update-kubeconfig --name)."
  value       = module.eks.cluster_name
}

output "namespace" {
  description = "Kubernetes namespace of the stack (cluster.kuberay --namespace)."
  value       = var.namespace
}

output "service_account" {
  description = "Service account of the Ray pods that the IRSA role trusts (cluster.kuberay --service-account)."
  value       = var.service_account
}

output "ray_role_arn" {
  description = "IAM role of the Ray pods (cluster.kuberay --role-arn)."
  value       = aws_iam_role.ray.arn
}

output "ecr_repository_url" {
  description = "ECR repository of the stack's image."
  value       = aws_ecr_repository.app.repository_url
}

output "public_base_url" {
  description = "PUBLIC_BASE_URL: base of the URLs handed to players."
  value       = var.public_base_url
}

output "tls_certificate_arn" {
  description = "ACM certificate of the serve load balancer, empty for plain HTTP (cluster.kuberay --tls-certificate-arn)."
  value       = var.tls_certificate_arn
}

output "db_host" {
  description = "RDS PostgreSQL host (DATABASE_URL)."
  value       = aws_db_instance.postgres.address
}

output "db_port" {
  description = "RDS PostgreSQL port (DATABASE_URL)."
  value       = aws_db_instance.postgres.port
}

output "db_name" {
  description = "Database name (DATABASE_URL)."
  value       = aws_db_instance.postgres.db_name
}

output "db_username" {
  description = "Database user (DATABASE_URL)."
  value       = aws_db_instance.postgres.username
}

output "db_password" {
  description = "Database password (DATABASE_URL)."
  value       = random_password.db.result
  sensitive   = true
}

output "redis_host" {
  description = "Primary endpoint of ElastiCache Redis (REDIS_URL, TLS)."
  value       = aws_elasticache_replication_group.redis.primary_endpoint_address
}

output "redis_port" {
  description = "Redis port (REDIS_URL)."
  value       = aws_elasticache_replication_group.redis.port
}

output "redis_auth_token" {
  description = "Redis auth token (REDIS_URL)."
  value       = random_password.redis.result
  sensitive   = true
}

output "s3_bucket" {
  description = "S3_BUCKET: the creatives bucket."
  value       = aws_s3_bucket.creatives.id
}

output "s3_region" {
  description = "S3_REGION: region of the creatives bucket."
  value       = var.region
}

output "vpc_cidr" {
  description = "The VPC's address range: the load balancer and the Serve ingress, trusted for X-Forwarded-For (TRUSTED_PROXIES)."
  value       = module.vpc.vpc_cidr_block
}

output "cloudfront_domain" {
  description = "Domain of the creatives CDN."
  value       = aws_cloudfront_distribution.creatives.domain_name
}

output "s3_public_base_url" {
  description = "S3_PUBLIC_BASE_URL: where players fetch creatives (the CloudFront distribution)."
  value       = "https://${aws_cloudfront_distribution.creatives.domain_name}"
}
