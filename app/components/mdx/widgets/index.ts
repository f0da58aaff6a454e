import type { ComponentType } from "react";

/**
 * Interactive teaching components that MDX may use as islands. The compile step turns
 * `<Name prop="literal" />` into a widget island with JSON props; the lesson page renders the
 * component from this registry. Their inputs never gate completion unless the lesson says so.
 */
export const widgets: Record<string, ComponentType<Record<string, unknown>>> = {};
