export { LocalMediaConvert, type LocalMediaConvertOptions } from './local-media-convert';
