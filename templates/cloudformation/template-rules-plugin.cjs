// Serverless plugin: the framework's schema for `resources` has no CloudFormation `Rules` section, so serverless.yml
// keeps its rules under custom.cloudFormationRules and this copies them into the generated template. Rules are
// checked by CloudFormation before it creates or changes anything (e.g. "outside us-east-1, webAclArn is required").
class CloudFormationRules {
  constructor(serverless) {
    this.serverless = serverless;
    serverless.configSchemaHandler.defineCustomProperties({
      type: 'object',
      properties: { cloudFormationRules: { type: 'object' } },
    });
    this.hooks = { 'before:package:finalize': () => this.addRules() };
  }

  addRules() {
    const rules = (this.serverless.service.custom ?? {}).cloudFormationRules;
    if (rules === undefined) return;
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    template.Rules = { ...template.Rules, ...rules };
  }
}

module.exports = CloudFormationRules;
