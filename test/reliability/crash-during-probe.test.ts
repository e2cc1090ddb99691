import { locateFfmpegBinaries } from '../../local/ffmpeg/locate-binaries';
import { describeCrashAt } from './crash-at-state';

describeCrashAt({ state: 'ProbeSource', tool: { variable: 'FFPROBE_PATH', binary: locateFfmpegBinaries().ffprobe } });
