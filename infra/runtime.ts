import { Annotations, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { FlowLogDestination, FlowLogTrafficType, type IVpc, SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Cluster, ContainerInsights } from 'aws-cdk-lib/aws-ecs';
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ContainerizerContext } from './context.js';
import { ENV } from '../shared/env.js';
import { DEFAULT_FARGATE_VCPU_QUOTA } from '../shared/aws/fargate-capacity.js';

/** Task-definition families are `containerizer-<app>`; IAM scopes RunTask to this prefix. */
export const TASK_FAMILY_PREFIX = 'containerizer-';
/** awslogs stream prefix: a run's stream is `run/<container>/<task id>`. */
export const LOG_STREAM_PREFIX = 'run';

/**
 * The account's Fargate vCPU quota, from the CDK context key FARGATE_VCPU_QUOTA (as the function
 * reads it), else DEFAULT_FARGATE_VCPU_QUOTA.
 * @throws Error naming the context key when it is not a positive number.
 */
function fargateVcpuQuota(scope: Construct): number {
  const raw = scope.node.tryGetContext(ENV.FARGATE_VCPU_QUOTA) as unknown;
  if (raw === undefined || raw === '') return DEFAULT_FARGATE_VCPU_QUOTA;
  const quota = Number(raw);
  if (!Number.isFinite(quota) || quota <= 0)
    throw new Error(`Context \`${ENV.FARGATE_VCPU_QUOTA}\` must be a positive number of vCPUs, not ${JSON.stringify(raw)}.`);
  return quota;
}

/** Props of {@link ContainerRuntime}. */
export interface ContainerRuntimeProps {
  /** Network and log settings from the CDK context. */
  readonly context: ContainerizerContext;
}

/**
 * Where runs execute: an ECS cluster for Fargate tasks (Container Insights on), the network
 * the tasks get (a new NAT-less VPC with public subnets, or existing subnets and security
 * groups from context), the task execution role (pulls images, writes logs), an empty task
 * role for the app containers, and the log group runs write to.
 *
 * Task definitions are not part of the stack: the API registers one revision per app version.
 */
export class ContainerRuntime extends Construct {
  readonly cluster: Cluster;
  /** Assumed by the ECS agent to pull images and write the run's logs. */
  readonly taskExecutionRole: Role;
  /** Assumed by the app's containers; it grants nothing, so jobs get no AWS access by default. */
  readonly taskRole: Role;
  readonly logGroup: LogGroup;
  /** The environment a function needs to register task definitions and run tasks here. */
  readonly environment: Record<string, string>;
  /** ARN pattern of every revision of the Containerizer task-definition families. */
  readonly taskDefinitionArns: string;
  /** ARN pattern of this cluster's tasks (`task/<cluster name>/<task id>`). */
  readonly taskArns: string;
  /** ARN pattern of this account's private ECR repositories, which app images may come from. */
  readonly imageRepositoryArns: string;

  constructor(scope: Construct, id: string, props: ContainerRuntimeProps) {
    super(scope, id);
    const { context } = props;

    const stack = Stack.of(this);
    // The jobs' output is data: kept when the stack is deleted, like the table.
    this.logGroup = new LogGroup(this, 'RunLogs', { retention: context.logRetention, removalPolicy: RemovalPolicy.RETAIN });

    const vpc = context.vpcId === undefined ? this.createVpc(context.logRetention) : this.importVpc(context.vpcId);
    const subnetIds = context.subnetIds.length > 0 ? context.subnetIds : vpc.selectSubnets({ subnetType: SubnetType.PUBLIC }).subnetIds;
    const securityGroupIds =
      context.securityGroupIds.length > 0
        ? context.securityGroupIds
        : [
            new SecurityGroup(this, 'TaskSecurityGroup', {
              vpc,
              description: 'Containerizer tasks: outbound only (image pulls, the jobs own calls); nothing may connect in',
              allowAllOutbound: true,
            }).securityGroupId,
          ];

    this.cluster = new Cluster(this, 'Cluster', { vpc, containerInsightsV2: ContainerInsights.ENABLED });
    this.taskDefinitionArns = stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${TASK_FAMILY_PREFIX}*` });
    this.taskArns = stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${this.cluster.clusterName}/*` });
    this.imageRepositoryArns = stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: '*' });

    this.taskExecutionRole = new Role(this, 'TaskExecutionRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'ECS agent for Containerizer tasks: pull images, write run logs',
    });
    // Scoped by hand instead of AmazonECSTaskExecutionRolePolicy, which may write to any log group.
    this.logGroup.grantWrite(this.taskExecutionRole);
    this.taskExecutionRole.addToPrincipalPolicy(
      new PolicyStatement({
        // GetAuthorizationToken has no resource type; it only yields a registry login.
        actions: ['ecr:GetAuthorizationToken'],
        resources: ['*'],
      }),
    );
    this.taskExecutionRole.addToPrincipalPolicy(
      new PolicyStatement({
        // Apps may name any private repository of this account; public images need nothing.
        actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        resources: [this.imageRepositoryArns],
      }),
    );

    this.taskRole = new Role(this, 'TaskRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Containerizer app containers: no permissions',
    });

    this.environment = {
      [ENV.CLUSTER_ARN]: this.cluster.clusterArn,
      [ENV.SUBNET_IDS]: subnetIds.join(','),
      [ENV.SECURITY_GROUP_IDS]: securityGroupIds.join(','),
      [ENV.ASSIGN_PUBLIC_IP]: context.assignPublicIp,
      [ENV.TASK_EXECUTION_ROLE_ARN]: this.taskExecutionRole.roleArn,
      [ENV.TASK_ROLE_ARN]: this.taskRole.roleArn,
      [ENV.LOG_GROUP_NAME]: this.logGroup.logGroupName,
      [ENV.LOG_STREAM_PREFIX]: LOG_STREAM_PREFIX,
      [ENV.TASK_FAMILY_PREFIX]: TASK_FAMILY_PREFIX,
      [ENV.FARGATE_VCPU_QUOTA]: String(fargateVcpuQuota(this)),
    };
  }

  /**
   * Lets `grantee` (the api) check that an image's digest is still in a private repository of this
   * account before a replay runs it again (ecr:DescribeImages, shared/aws/ecr-image-digests.ts).
   */
  grantCheckImages(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['ecr:DescribeImages'], resources: [this.imageRepositoryArns] }));
  }

  /**
   * Lets `grantee` launch runs: register a task-definition revision for an app version,
   * run it on this cluster only, tag both on creation, and pass the two task roles to ECS.
   */
  grantLaunch(grantee: IGrantable): void {
    const principal = grantee.grantPrincipal;
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [this.taskDefinitionArns],
        conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } },
      }),
    );
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        // A relaunch adopts the task an earlier attempt started (ListTasks by startedBy), on this cluster only.
        actions: ['ecs:ListTasks'],
        resources: ['*'],
        conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } },
      }),
    );
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        // None supports resource-level permissions: a revision's ARN does not exist until
        // RegisterTaskDefinition returns, and the others are account-wide. Describe finds a
        // family's latest revision, so cold starts reuse it instead of registering anew; List and
        // Deregister retire the revisions a new one supersedes.
        actions: ['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition', 'ecs:ListTaskDefinitions', 'ecs:DeregisterTaskDefinition'],
        resources: ['*'],
      }),
    );
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        // Tags set by RunTask/RegisterTaskDefinition themselves (they carry the run id), nothing else.
        actions: ['ecs:TagResource'],
        resources: [this.taskArns, this.taskDefinitionArns],
        conditions: { StringEquals: { 'ecs:CreateAction': ['RunTask', 'RegisterTaskDefinition'] } },
      }),
    );
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.taskExecutionRole.roleArn, this.taskRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
  }

  /** Lets `grantee` look at and stop this cluster's tasks. */
  grantControl(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
        resources: [this.taskArns],
      }),
    );
  }

  /** Lets `grantee` read run logs. */
  grantReadLogs(grantee: IGrantable): void {
    this.logGroup.grant(grantee, 'logs:GetLogEvents');
  }

  /** The existing VPC, by id alone: the cluster and a new security group need nothing more. */
  private importVpc(vpcId: string): IVpc {
    // Fargate tasks get their subnets per RunTask, so the VPC's zones and subnets never matter
    // here; they are left to CloudFormation, because naming them would need a lookup in the account.
    const vpc = Vpc.fromVpcAttributes(this, 'Vpc', { vpcId, availabilityZones: Fn.getAzs() });
    Annotations.of(vpc).acknowledgeWarning(
      '@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
      'No construct here selects subnets from the imported VPC.',
    );
    return vpc;
  }

  /** A VPC with a public subnet in each of two zones, no NAT gateway, and rejected traffic logged. */
  private createVpc(flowLogRetention: RetentionDays): IVpc {
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 }],
    });
    // Rejected flows only: the security signal, at a fraction of the volume of all traffic.
    vpc.addFlowLog('RejectedFlows', {
      destination: FlowLogDestination.toCloudWatchLogs(new LogGroup(this, 'FlowLogs', { retention: flowLogRetention, removalPolicy: RemovalPolicy.DESTROY })),
      trafficType: FlowLogTrafficType.REJECT,
    });
    return vpc;
  }
}
