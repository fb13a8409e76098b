/** The plugin host's version: plugins declare the range they work with (`engine`). */
export const ENGINE_VERSION = '1.0.0'
