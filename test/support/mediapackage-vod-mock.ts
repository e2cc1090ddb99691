import {
  CreateAssetCommand,
  DescribeAssetCommand,
  MediaPackageVodClient,
  type CreateAssetCommandInput,
  type CreateAssetCommandOutput,
  type DescribeAssetCommandInput,
  type DescribeAssetCommandOutput,
} from '@aws-sdk/client-mediapackage-vod';
import type { MetadataBearer } from '@smithy/types';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';

/**
 * @aws-sdk/client-mediapackage-vod has had no API change since 3.624 (the SDK republishes only changed clients), so
 * it still declares its types with @smithy/types 3 while aws-sdk-client-mock is typed against @smithy/types 4. The
 * runtime objects are compatible; these casts bridge the declarations in one place, keeping inputs and outputs typed.
 */
type VodStub = AwsStub<object, MetadataBearer & Record<string, unknown>, object>;
type Stubbable = Parameters<typeof mockClient>[0];
type AnyCommand = Parameters<VodStub['on']>[0];

export const mockMediaPackageVod = (): VodStub =>
  mockClient(MediaPackageVodClient as unknown as Stubbable) as unknown as VodStub;

export const DescribeAsset = DescribeAssetCommand as unknown as AnyCommand;
export const CreateAsset = CreateAssetCommand as unknown as AnyCommand;

export type {
  CreateAssetCommandInput,
  CreateAssetCommandOutput,
  DescribeAssetCommandInput,
  DescribeAssetCommandOutput,
};
