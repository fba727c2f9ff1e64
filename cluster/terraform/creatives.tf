# Creatives: a private, encrypted bucket that only CloudFront reads (origin access control) and
# only the Ray pods write (iam.tf). Players fetch MP4s from the CloudFront domain
# (S3_PUBLIC_BASE_URL); keys are never reused, so objects are cached for a year.

resource "aws_s3_bucket" "creatives" {
  bucket_prefix = "${var.name}-creatives-"
}

resource "aws_s3_bucket_public_access_block" "creatives" {
  bucket                  = aws_s3_bucket.creatives.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "creatives" {
  bucket = aws_s3_bucket.creatives.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "creatives" {
  bucket = aws_s3_bucket.creatives.id

  rule {
    # SSE-S3: CloudFront's origin access control reads it without a KMS key policy.
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
    bucket_key_enabled = true
  }
}

# Deleted creatives stay recoverable for 30 days.
resource "aws_s3_bucket_versioning" "creatives" {
  bucket = aws_s3_bucket.creatives.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "creatives" {
  bucket     = aws_s3_bucket.creatives.id
  depends_on = [aws_s3_bucket_versioning.creatives]

  rule {
    id     = "expire-deleted-creatives"
    status = "Enabled"
    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 30
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "creatives_bucket" {
  statement {
    sid       = "CloudFrontReads"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.creatives.arn}/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.creatives.arn]
    }
  }

  statement {
    sid       = "TlsOnly"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.creatives.arn, "${aws_s3_bucket.creatives.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "creatives" {
  bucket = aws_s3_bucket.creatives.id
  policy = data.aws_iam_policy_document.creatives_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.creatives]
}

resource "aws_cloudfront_origin_access_control" "creatives" {
  name                              = "${var.name}-creatives"
  description                       = "CloudFront reads the creatives bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

data "aws_cloudfront_cache_policy" "caching_optimized" {
  name = "Managed-CachingOptimized"
}

# Access-Control-Allow-Origin: * so web players on any origin can fetch the MP4s.
data "aws_cloudfront_response_headers_policy" "simple_cors" {
  name = "Managed-SimpleCORS"
}

resource "aws_cloudfront_distribution" "creatives" {
  enabled         = true
  is_ipv6_enabled = true
  comment         = "${var.name} creatives"
  price_class     = var.cloudfront_price_class
  http_version    = "http2and3"

  origin {
    origin_id                = "creatives"
    domain_name              = aws_s3_bucket.creatives.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.creatives.id
  }

  default_cache_behavior {
    target_origin_id           = "creatives"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    cache_policy_id            = data.aws_cloudfront_cache_policy.caching_optimized.id
    response_headers_policy_id = data.aws_cloudfront_response_headers_policy.simple_cors.id
    compress                   = false # MP4 is compressed already
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}
