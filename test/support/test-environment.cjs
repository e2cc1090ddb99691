// The SDK warns once per process that its releases after early January 2027 need Node 22. The lockfile pins
// versions that run on Node 20 (this project's machines; Lambda runs Node 22), and the README says so: the warning
// would only repeat that in every test worker.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
