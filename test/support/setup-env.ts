/** Environment for every test file, set before any module under test is loaded. */

// Function logs are JSON lines on stdout; SLUICE_TEST_LOGS=1 shows them.
if (process.env.SLUICE_TEST_LOGS !== '1') {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
}
// The lockfile pins the AWS SDK, so its notice that later releases need Node 22 is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Test receivers listen on 127.0.0.1, which the webhook guard refuses unless allow-listed, as in the local stack.
process.env.SLUICE_WEBHOOK_ALLOW = '127.0.0.1/32';
