// FrameCutNN: tensors, layers, model architectures and their preprocessing.
import FrameCutCore
import FrameCutIO
