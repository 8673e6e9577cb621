// FrameCutIO: file formats.
import FrameCutCore
