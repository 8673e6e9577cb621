import ArgumentParser
import FrameCutNN

extension VGG.Embedding: ExpressibleByArgument {}
