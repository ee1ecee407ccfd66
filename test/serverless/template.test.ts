import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, type Tags } from 'yaml';
import { repoRoot } from '../helpers/python';

// template.yaml's structure, read with the yaml package (CloudFormation's short tags become
// their long forms), and cfn-lint from the project's Python environment.
const TEMPLATE = join(repoRoot, 'template.yaml');
const text = readFileSync(TEMPLATE, 'utf8');
const cfnTags: Tags = ['Ref', 'Sub', 'GetAtt', 'Join', 'If', 'Equals', 'Not', 'Select', 'Split', 'FindInMap', 'ImportValue', 'Base64'].flatMap((name) => {
  const key = name === 'Ref' ? 'Ref' : `Fn::${name}`;
  const value = (v: unknown) => ({ [key]: name === 'GetAtt' && typeof v === 'string' ? v.split('.') : v });
  return [
    { tag: `!${name}`, resolve: (v: string) => value(v) },
    { tag: `!${name}`, collection: 'seq' as const, resolve: (v: { toJSON(): unknown }) => value(v.toJSON()) },
  ];
});
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const template: any = parse(text, { customTags: cfnTags });
const resources = template.Resources;
const fn = resources.OptparFunction;
const scratch = mkdtempSync(join(tmpdir(), 'optpar-template-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('template.yaml (AWS SAM)', () => {
  it('a nodejs20.x arm64 function whose handler is the bundle, built by the Makefile SAM runs', () => {
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
    expect(fn.Type).toBe('AWS::Serverless::Function');
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs20.x', Architectures: ['arm64'], Handler: 'dist/serverless/handler.handler', CodeUri: '.' });
    expect(fn.Properties.MemorySize).toBeGreaterThanOrEqual(256);
    expect(fn.Properties.Timeout).toBeGreaterThanOrEqual(10);
    expect(fn.Metadata).toMatchObject({ BuildMethod: 'makefile', ContextPath: 'server/src/serverless', ProjectRootDirectory: '.' });
    const makefile = readFileSync(join(repoRoot, fn.Metadata.ContextPath, 'Makefile'), 'utf8');
    expect(makefile).toMatch(/^build-OptparFunction:/m);
    expect(makefile).toMatch(/bundle\.mjs --arch \$\(LAMBDA_ARCH\) --out "\$\(ARTIFACTS_DIR\)"/);
    expect(makefile).toMatch(/^LAMBDA_ARCH \?= arm64$/m);
  });

  it('the environment names the settings the handler reads, with the same defaults', () => {
    const vars = fn.Properties.Environment.Variables;
    expect(Object.keys(vars).sort()).toEqual(['OPTPAR_ALGO', 'OPTPAR_INPUT_PREFIX', 'OPTPAR_MAX_BYTES', 'OPTPAR_MAX_EVALS', 'OPTPAR_OUTPUT_PREFIX']);
    const config = readFileSync(join(repoRoot, 'server/src/serverless/config.ts'), 'utf8');
    for (const name of Object.keys(vars)) expect(config).toContain(name);
    const params = template.Parameters;
    expect(vars.OPTPAR_INPUT_PREFIX).toEqual({ Ref: 'InputPrefix' });
    expect(vars.OPTPAR_OUTPUT_PREFIX).toEqual({ Ref: 'OutputPrefix' });
    expect(params.InputPrefix.Default).toBe('models/');
    expect(params.OutputPrefix.Default).toBe('optpar/');
    expect(params.MaxBytes.Default).toBe(1024 * 1024);
  });

  it('the bucket notifies the function of ObjectCreated under the input prefix with the .py suffix', () => {
    expect(resources.ModelBucket.Type).toBe('AWS::S3::Bucket');
    expect(resources.ModelBucket.Properties.BucketName).toEqual({ Ref: 'BucketName' });
    const events = Object.values(fn.Properties.Events) as { Type: string; Properties: Record<string, unknown> }[];
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({
      Type: 'S3',
      Properties: {
        Bucket: { Ref: 'ModelBucket' },
        Events: 's3:ObjectCreated:*',
        Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: { Ref: 'InputPrefix' } }, { Name: 'suffix', Value: '.py' }] } },
      },
    });
  });

  it('least privilege: s3:GetObject on the input prefix, s3:PutObject on the output prefix, its own logs; no cycle through the bucket', () => {
    expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': ['OptparRole', 'Arn'] });
    expect(fn.Properties.Policies).toBeUndefined();
    const role = resources.OptparRole;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const statements = role.Properties.Policies.flatMap((p: { PolicyDocument: { Statement: unknown[] } }) => p.PolicyDocument.Statement);
    expect(statements).toEqual([
      { Sid: 'ReadModels', Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${BucketName}/${InputPrefix}*' } },
      { Sid: 'WriteResults', Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${BucketName}/${OutputPrefix}*' } },
      { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::Sub': '${OptparLogGroup.Arn}:*' } },
    ]);
    // The bucket's notification needs the function; the role names the bucket by parameter, not by resource.
    expect(JSON.stringify(role)).not.toMatch(/ModelBucket/);
  });

  it('logs go to a log group with a retention', () => {
    expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: 'OptparLogGroup' } });
    expect(resources.OptparLogGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(resources.OptparLogGroup.Properties.RetentionInDays).toEqual({ Ref: 'LogRetentionDays' });
    expect(template.Parameters.LogRetentionDays.Default).toBeGreaterThan(0);
  });

  const cfnLint = join(repoRoot, '.venv', 'bin', 'cfn-lint');
  it('cfn-lint passes (and fails on a broken copy)', () => {
    expect(existsSync(cfnLint), `${cfnLint}: run node test/python-env.mjs`).toBe(true);
    const ok = spawnSync(cfnLint, [TEMPLATE], { encoding: 'utf8' });
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    const broken = join(scratch, 'broken.yaml');
    writeFileSync(broken, text.replace('Action: s3:PutObject', 'Action: s3:PutObjekt').replace("SSEAlgorithm: AES256", 'SSEAlgorithm: AES257'));
    const bad = spawnSync(cfnLint, [broken], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/AES257/);
  });
});
