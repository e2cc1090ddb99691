import { locateFfmpegBinaries } from '../../local/ffmpeg/locate-binaries';
import { LOCAL_STACK } from '../../local/runtime/local-stack';
import { describeCrashAt } from './crash-at-state';

// MediaPackage's ingest probes the transcoded MP4s in the media bucket: that is the call held inside RegisterAsset.
describeCrashAt({
  state: 'RegisterAsset',
  tool: { variable: 'FFPROBE_PATH', binary: locateFfmpegBinaries().ffprobe },
  holdWhen: `/${LOCAL_STACK.mediaBucket}/`,
});
