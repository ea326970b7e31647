/**
 * The bucket large imports are read from, and the bucket its server access logs go to. A tenant's
 * file is uploaded with a presigned PUT URL and named by a presigned GET URL, which the import tasks
 * fetch: the URL's signature is the permission, so the tasks get no read grant, and a plain object
 * URL under the allowed prefix (another tenant's file, say) is refused by S3 itself.
 */
import { Duration } from "aws-cdk-lib";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from "aws-cdk-lib/cx-api";
import { Construct } from "constructs";

export class ImportBucket extends Construct {
  readonly bucket: Bucket;
  readonly logs: Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Log delivery by bucket policy, not by the legacy ACL (which would need ACLs enabled).
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const privately = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // Server access logs are delivered only to buckets encrypted with S3-managed keys.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    };
    this.logs = new Bucket(this, "AccessLogs", {
      ...privately,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    this.bucket = new Bucket(this, "Files", {
      ...privately,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: "files/",
      // An import reads its file within minutes of its creation; tenants' conversations are not kept a week.
      lifecycleRules: [
        { expiration: Duration.days(7), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
  }

  /** The prefix every presigned URL of the bucket starts with (virtual-hosted style, as the AWS SDK signs them). */
  get urlPrefix(): string {
    return `https://${this.bucket.bucketRegionalDomainName}/`;
  }
}
