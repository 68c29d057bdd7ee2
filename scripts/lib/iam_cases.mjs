// Evaluates Depot's rendered IAM policies (scripts/lib/render_policies.py) with
// @cloud-copilot/iam-simulate: every case is a request (principal, action, resource, request
// context such as resource tags and Auto Scaling group names) and the decision it must get.
// The artifacts bucket's policy takes part in every request on that bucket.
//
// Usage: node iam_cases.mjs TOOL_DIR RENDERED_JSON
// Prints one line per case and exits 1 when any case gets another decision.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const [toolDir, renderedPath] = process.argv.slice(2)
const { runSimulation } = await import(
  pathToFileURL(join(toolDir, 'node_modules/@cloud-copilot/iam-simulate/dist/esm/index.js')).href)
const rendered = JSON.parse(readFileSync(renderedPath, 'utf8'))
const { account, region } = rendered

// Someone in the account with every permission: the bucket policy alone must stop them.
const ADMIN = 'administrator'
rendered.roles[ADMIN] = {
  arn: `arn:aws:iam::${account}:role/administrator`,
  policies: [{ name: 'AdministratorAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
}

const role = (key) => {
  const found = rendered.roles[key]
  if (!found) throw new Error(`no role ${key} in the rendered templates`)
  return found
}
const id = (key) => {
  const found = rendered.ids[key]
  if (!found) throw new Error(`no resource ${key} in the rendered templates`)
  return found
}

// ------------------------------------------------------------------ names used by the cases
const RELEASE = 'depot-account/ReleaseRole'
const BAKE = 'depot-account/BakeRole'
const deploy = (env) => `depot-${env}/DeployRole`
const instanceRole = (env) => `depot-${env}/InstanceRole`
const instance = (name) => `arn:aws:ec2:${region}:${account}:instance/${name}`
const parameter = (name) => `arn:aws:ssm:${region}:${account}:parameter${name}`
const artifact = (key) => `arn:aws:s3:::depot-artifacts/${key}`
const launchTemplate = (env) => `arn:aws:ec2:${region}:${account}:launch-template/${id(`depot-${env}/LaunchTemplate`)}`
const group = (env) => `arn:aws:autoscaling:${region}:${account}:autoScalingGroup:uuid:autoScalingGroupName/depot-${env}`
const stack = (env) => id(`depot-${env}/AWS::StackId`)
// An AWS-owned document's ARN has an empty account field, which the simulator does not parse;
// "aws" stands in for it (the policy's "*" matches either).
const runShellScript = `arn:aws:ssm:${region}:aws:document/AWS-RunShellScript`
const startSshSession = `arn:aws:ssm:${region}:aws:document/AWS-StartSSHSession`

// A production instance as SSM sees it: the group tag Auto Scaling set, and an Environment tag
// someone rewrote to staging (a tag users can set proves nothing).
const productionInstanceForSsm = {
  'ssm:resourceTag/aws:autoscaling:groupName': 'depot-production',
  'ssm:resourceTag/Environment': 'staging',
}
const stagingInstanceForSsm = {
  'ssm:resourceTag/aws:autoscaling:groupName': 'depot-staging',
  'ssm:resourceTag/Environment': 'staging',
}
const productionInstanceForEc2 = {
  'aws:ResourceTag/aws:autoscaling:groupName': 'depot-production',
  'aws:ResourceTag/Environment': 'production',
}

const ALLOWED = 'Allowed'
const DENIED = 'Denied'

// [name, role, action, resource, context, expected]
const cases = [
  // ---------------------------------------------------------------- staging cannot reach production
  ['staging deploy: ssm:SendCommand on a production instance', deploy('staging'), 'ssm:SendCommand', instance('i-0prod'), productionInstanceForSsm, DENIED],
  ['staging deploy: ssm:StartSession on a production instance', deploy('staging'), 'ssm:StartSession', instance('i-0prod'), productionInstanceForSsm, DENIED],
  ['staging deploy: ec2:CreateTags on a production instance', deploy('staging'), 'ec2:CreateTags', instance('i-0prod'), { ...productionInstanceForEc2, 'aws:RequestTag/Environment': 'staging', 'aws:TagKeys': ['Environment'] }, DENIED],
  ['staging deploy: ec2:TerminateInstances on a production instance', deploy('staging'), 'ec2:TerminateInstances', instance('i-0prod'), productionInstanceForEc2, DENIED],
  ['staging deploy: ec2:RunInstances outside a launch template', deploy('staging'), 'ec2:RunInstances', instance('i-0new'), {}, DENIED],
  ['staging deploy: ec2:RunInstances from the production launch template', deploy('staging'), 'ec2:RunInstances', instance('i-0new'), { 'ec2:LaunchTemplate': launchTemplate('production'), 'ec2:IsLaunchTemplateResource': 'true' }, DENIED],
  ['staging deploy: ec2:CreateLaunchTemplateVersion of production', deploy('staging'), 'ec2:CreateLaunchTemplateVersion', launchTemplate('production'), {}, DENIED],
  ['staging deploy: autoscaling:StartInstanceRefresh of production', deploy('staging'), 'autoscaling:StartInstanceRefresh', group('production'), {}, DENIED],
  ['staging deploy: ssm:PutParameter on the production release pointer', deploy('staging'), 'ssm:PutParameter', parameter('/depot/production/release'), {}, DENIED],
  ['staging deploy: ssm:GetParameter on a production host key', deploy('staging'), 'ssm:GetParameter', parameter('/depot/production/host-keys/i-0prod'), {}, DENIED],
  ['staging deploy: s3:PutObject on an existing release', deploy('staging'), 's3:PutObject', artifact('releases/1.4.0/depot.jar'), {}, DENIED],
  ['staging deploy: s3:PutObject of a new release, even conditional', deploy('staging'), 's3:PutObject', artifact('releases/9.9.9/depot.jar'), { 's3:if-none-match': '*' }, DENIED],
  ['staging instance: ssm:PutParameter on a production host key', instanceRole('staging'), 'ssm:PutParameter', parameter('/depot/production/host-keys/i-0prod'), {}, DENIED],
  ['staging instance: ssm:GetParameter on a production secret', instanceRole('staging'), 'ssm:GetParameter', parameter('/depot/production/env/DEPOT_DB_PASSWORD'), {}, DENIED],
  ['staging instance: s3:PutObject on a release', instanceRole('staging'), 's3:PutObject', artifact('releases/1.4.0/depot.jar'), { 's3:if-none-match': '*' }, DENIED],
  // ... while reaching its own (so the denials above are not a rendering accident)
  ['staging deploy: ssm:SendCommand on a staging instance', deploy('staging'), 'ssm:SendCommand', instance('i-0stag'), stagingInstanceForSsm, ALLOWED],
  ['staging deploy: ssm:PutParameter on the staging release pointer', deploy('staging'), 'ssm:PutParameter', parameter('/depot/staging/release'), {}, ALLOWED],
  ['staging instance: ssm:PutParameter on its own host key', instanceRole('staging'), 'ssm:PutParameter', parameter('/depot/staging/host-keys/i-0stag'), {}, ALLOWED],

  // ---------------------------------------------------------------- production rollout: what it needs
  ['production deploy: cloudformation:DescribeStacks of its stack', deploy('production'), 'cloudformation:DescribeStacks', stack('production'), {}, ALLOWED],
  ['production deploy: s3:GetObject of a release', deploy('production'), 's3:GetObject', artifact('releases/1.4.0/depot.jar'), {}, ALLOWED],
  ['production deploy: autoscaling:DescribeAutoScalingGroups', deploy('production'), 'autoscaling:DescribeAutoScalingGroups', '*', {}, ALLOWED],
  ['production deploy: ssm:SendCommand (migration) on its instance', deploy('production'), 'ssm:SendCommand', instance('i-0prod'), productionInstanceForSsm, ALLOWED],
  ['production deploy: ssm:SendCommand of AWS-RunShellScript', deploy('production'), 'ssm:SendCommand', runShellScript, {}, ALLOWED],
  ['production deploy: ssm:GetCommandInvocation', deploy('production'), 'ssm:GetCommandInvocation', '*', {}, ALLOWED],
  ['production deploy: ssm:PutParameter on its release pointer', deploy('production'), 'ssm:PutParameter', parameter('/depot/production/release'), {}, ALLOWED],
  ['production deploy: ssm:PutParameter on its AMI pointer', deploy('production'), 'ssm:PutParameter', parameter('/depot/production/release-ami'), {}, ALLOWED],
  ['production deploy: ssm:GetParameterHistory of its release pointer', deploy('production'), 'ssm:GetParameterHistory', parameter('/depot/production/release'), {}, ALLOWED],
  ['production deploy: ec2:CreateLaunchTemplateVersion of its template', deploy('production'), 'ec2:CreateLaunchTemplateVersion', launchTemplate('production'), {}, ALLOWED],
  ['production deploy: ec2:DescribeLaunchTemplateVersions', deploy('production'), 'ec2:DescribeLaunchTemplateVersions', '*', {}, ALLOWED],
  ['production deploy: ec2:RunInstances from its launch template (refresh check)', deploy('production'), 'ec2:RunInstances', instance('i-0new'), { 'ec2:LaunchTemplate': launchTemplate('production'), 'ec2:IsLaunchTemplateResource': 'true' }, ALLOWED],
  ['production deploy: iam:PassRole of its instance role to EC2', deploy('production'), 'iam:PassRole', role(instanceRole('production')).arn, { 'iam:PassedToService': 'ec2.amazonaws.com' }, ALLOWED],
  ['production deploy: autoscaling:StartInstanceRefresh of its group', deploy('production'), 'autoscaling:StartInstanceRefresh', group('production'), {}, ALLOWED],
  ['production deploy: autoscaling:DescribeInstanceRefreshes', deploy('production'), 'autoscaling:DescribeInstanceRefreshes', '*', {}, ALLOWED],
  ['production deploy: autoscaling:SuspendProcesses of its group (SSH rollout)', deploy('production'), 'autoscaling:SuspendProcesses', group('production'), {}, ALLOWED],
  ['production deploy: ssm:PutParameter on its release-before (SSH rollout)', deploy('production'), 'ssm:PutParameter', parameter('/depot/production/release-before'), {}, ALLOWED],
  ['staging deploy: autoscaling:SuspendProcesses of production', deploy('staging'), 'autoscaling:SuspendProcesses', group('production'), {}, DENIED],
  ['production deploy: ssm:StartSession (SSH deploy) on its instance', deploy('production'), 'ssm:StartSession', instance('i-0prod'), productionInstanceForSsm, ALLOWED],
  ['production deploy: ssm:StartSession of AWS-StartSSHSession', deploy('production'), 'ssm:StartSession', startSshSession, {}, ALLOWED],
  ['production deploy: ssm:GetParametersByPath of its host keys', deploy('production'), 'ssm:GetParametersByPath', parameter('/depot/production/host-keys'), {}, ALLOWED],
  // ... and not more
  ['production deploy: s3:PutObject of a new release', deploy('production'), 's3:PutObject', artifact('releases/9.9.9/depot.jar'), { 's3:if-none-match': '*' }, DENIED],
  ['production deploy: ec2:CreateTags on its own instance', deploy('production'), 'ec2:CreateTags', instance('i-0prod'), productionInstanceForEc2, DENIED],
  ['production deploy: ec2:TerminateInstances on its own instance', deploy('production'), 'ec2:TerminateInstances', instance('i-0prod'), productionInstanceForEc2, DENIED],
  ['production deploy: ssm:SendCommand on a staging instance', deploy('production'), 'ssm:SendCommand', instance('i-0stag'), stagingInstanceForSsm, DENIED],
  ['production deploy: iam:PassRole of the staging instance role', deploy('production'), 'iam:PassRole', role(instanceRole('staging')).arn, { 'iam:PassedToService': 'ec2.amazonaws.com' }, DENIED],

  // ---------------------------------------------------------------- the release role: publish once
  ['release: s3:PutObject of a new release (If-None-Match: *)', RELEASE, 's3:PutObject', artifact('releases/9.9.9/depot.jar'), { 's3:if-none-match': '*' }, ALLOWED],
  ['release: s3:GetObject of a release (already published?)', RELEASE, 's3:GetObject', artifact('releases/9.9.9/depot.jar'), {}, ALLOWED],
  ['release: s3:ListBucket under releases/', RELEASE, 's3:ListBucket', 'arn:aws:s3:::depot-artifacts', { 's3:prefix': 'releases/9.9.9/depot.jar' }, ALLOWED],
  ['release: s3:PutObject over an existing release (no If-None-Match)', RELEASE, 's3:PutObject', artifact('releases/1.4.0/depot.jar'), {}, DENIED],
  ['release: s3:DeleteObject of a release', RELEASE, 's3:DeleteObject', artifact('releases/1.4.0/depot.jar'), {}, DENIED],
  ['release: s3:PutObject outside releases/', RELEASE, 's3:PutObject', artifact('other/x'), { 's3:if-none-match': '*' }, DENIED],
  ['release: ssm:PutParameter on the production release pointer', RELEASE, 'ssm:PutParameter', parameter('/depot/production/release'), {}, DENIED],
  ['release: ssm:SendCommand on a production instance', RELEASE, 'ssm:SendCommand', instance('i-0prod'), productionInstanceForSsm, DENIED],
  ['release: ec2:RunInstances', RELEASE, 'ec2:RunInstances', instance('i-0new'), {}, DENIED],

  // ---------------------------------------------------------------- the bucket: nobody else writes releases
  ['account administrator: s3:PutObject of a new release', ADMIN, 's3:PutObject', artifact('releases/9.9.9/depot.jar'), { 's3:if-none-match': '*' }, DENIED],
  ['account administrator: s3:DeleteObject of a release', ADMIN, 's3:DeleteObject', artifact('releases/1.4.0/depot.jar'), {}, DENIED],
  ['account administrator: s3:PutObject outside releases/', ADMIN, 's3:PutObject', artifact('other/x'), {}, ALLOWED],

  // ---------------------------------------------------------------- the bake role: only what it launched
  ['bake: ec2:RunInstances tagged depot:bake at launch', BAKE, 'ec2:RunInstances', instance('i-0new'), { 'aws:RequestTag/depot:bake': 'true', 'aws:TagKeys': ['depot:bake'] }, ALLOWED],
  ['bake: ec2:CreateTags as part of RunInstances', BAKE, 'ec2:CreateTags', instance('i-0bake'), { 'ec2:CreateAction': 'RunInstances' }, ALLOWED],
  ['bake: ec2:TerminateInstances of its bake instance', BAKE, 'ec2:TerminateInstances', instance('i-0bake'), { 'aws:ResourceTag/depot:bake': 'true' }, ALLOWED],
  ['bake: ec2:RunInstances without the bake tag', BAKE, 'ec2:RunInstances', instance('i-0new'), {}, DENIED],
  ['bake: ec2:CreateTags on an existing production instance', BAKE, 'ec2:CreateTags', instance('i-0prod'), { ...productionInstanceForEc2, 'aws:RequestTag/depot:bake': 'true', 'aws:TagKeys': ['depot:bake'] }, DENIED],
  ['bake: ec2:CreateTags on a standalone instance it did not launch', BAKE, 'ec2:CreateTags', instance('i-0other'), { 'aws:RequestTag/depot:bake': 'true', 'aws:TagKeys': ['depot:bake'] }, DENIED],
  ['bake: ec2:TerminateInstances on a production instance', BAKE, 'ec2:TerminateInstances', instance('i-0prod'), productionInstanceForEc2, DENIED],
  ['bake: ec2:TerminateInstances on a group instance tagged depot:bake', BAKE, 'ec2:TerminateInstances', instance('i-0prod'), { ...productionInstanceForEc2, 'aws:ResourceTag/depot:bake': 'true' }, DENIED],
  ['bake: ssm:SendCommand on a production instance', BAKE, 'ssm:SendCommand', instance('i-0prod'), productionInstanceForSsm, DENIED],
  ['bake: s3:PutObject of a release', BAKE, 's3:PutObject', artifact('releases/9.9.9/depot.jar'), { 's3:if-none-match': '*' }, DENIED],
]

// The release role's whole grant: exactly these actions, nothing added unnoticed.
const exactly = [
  [RELEASE, ['s3:GetObject', 's3:ListBucket', 's3:PutObject']],
]

function bucketPolicyFor(resource) {
  const match = /^arn:aws:s3:::([^/]+)/.exec(resource)
  return match ? rendered.bucketPolicies[match[1]] : undefined
}

async function decide(roleKey, action, resource, contextVariables) {
  const principal = role(roleKey)
  const result = await runSimulation({
    // AWS sets aws:PrincipalArn on every request: the role's ARN for an assumed role.
    request: { principal: principal.arn, action, resource: { resource, accountId: account },
      contextVariables: { 'aws:PrincipalArn': principal.arn, ...contextVariables } },
    identityPolicies: principal.policies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: bucketPolicyFor(resource),
  }, {})
  if (result.resultType !== 'single') {
    return `error: ${JSON.stringify(result.errors ?? result).slice(0, 400)}`
  }
  return result.overallResult
}

let failed = 0
for (const [name, roleKey, action, resource, context, expected] of cases) {
  const decision = await decide(roleKey, action, resource, context)
  const matches = expected === ALLOWED ? decision === 'Allowed' : /^(Implicitly|Explicitly)Denied$/.test(decision)
  if (!matches) failed++
  console.log(`${matches ? 'ok  ' : 'FAIL'}  ${name}: ${decision}${matches ? '' : `, expected ${expected}`}`)
}
for (const [roleKey, expectedActions] of exactly) {
  const granted = new Set()
  for (const { policy } of role(roleKey).policies) {
    for (const statement of [policy.Statement].flat()) {
      if (statement.Effect === 'Allow') [statement.Action].flat().forEach((action) => granted.add(action))
    }
  }
  const actual = [...granted].sort()
  const matches = JSON.stringify(actual) === JSON.stringify([...expectedActions].sort())
  if (!matches) failed++
  console.log(`${matches ? 'ok  ' : 'FAIL'}  ${roleKey} grants exactly ${expectedActions.join(', ')}${matches ? '' : `: it grants ${actual.join(', ')}`}`)
}
console.log(`${cases.length + exactly.length - failed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
