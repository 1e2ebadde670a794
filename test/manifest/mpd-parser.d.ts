// mpd-parser (video.js, a dev dependency used only as a test oracle) ships no types: the part the tests read.
declare module 'mpd-parser' {
  export interface OracleSegment {
    readonly uri: string;
    readonly resolvedUri: string;
    readonly duration: number;
    readonly number: number;
    readonly presentationTime?: number;
    readonly map?: { readonly uri: string; readonly resolvedUri: string };
  }
  export interface OraclePlaylist {
    readonly attributes: {
      readonly NAME?: string;
      readonly BANDWIDTH: number;
      readonly CODECS?: string;
      readonly RESOLUTION?: { readonly width: number; readonly height: number };
    };
    readonly segments: readonly OracleSegment[];
  }
  export interface OracleManifest {
    readonly duration: number;
    readonly playlists: readonly OraclePlaylist[];
    readonly mediaGroups: {
      readonly AUDIO: Readonly<
        Record<string, Readonly<Record<string, { readonly playlists: readonly OraclePlaylist[] }>>>
      >;
    };
  }
  export function parse(text: string, options?: { readonly manifestUri?: string }): OracleManifest;
}
