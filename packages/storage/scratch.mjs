import { S3Client, PutObjectCommand, GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
const mk = (extra) => new S3Client({ region: "us-east-1", endpoint: "http://127.0.0.1:4568", forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }, ...extra });
const b64 = Buffer.alloc(32, 7).toString("base64");
for (const extra of [{}, { requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" }]) {
  const c = mk(extra);
  const u = await getSignedUrl(c, new PutObjectCommand({ Bucket: "facet", Key: "blobs/sha256/ab/cd/x", ContentLength: 12, ChecksumSHA256: b64 }), { expiresIn: 300, unhoistableHeaders: new Set(["x-amz-checksum-sha256"]) });
  console.log(JSON.stringify(extra), "\n", decodeURIComponent(u).replace(/&/g, "\n  &"));
}
const c = mk({ requestChecksumCalculation: "WHEN_REQUIRED" });
console.log(await getSignedUrl(c, new GetObjectCommand({ Bucket: "facet", Key: "blobs/x", ResponseContentDisposition: 'attachment; filename="a b.step"' }), { expiresIn: 60 }));
