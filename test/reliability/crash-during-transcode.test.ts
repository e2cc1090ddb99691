import { locateFfmpegBinaries } from '../../local/ffmpeg/locate-binaries';
import { describeCrashAt } from './crash-at-state';

describeCrashAt({ state: 'Transcode', tool: { variable: 'FFMPEG_PATH', binary: locateFfmpegBinaries().ffmpeg } });
