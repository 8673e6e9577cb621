/// The reference preprocessing of every model FrameCut embeds with (METHOD.md section 2),
/// each checked against the reference code in `scripts/reference/images_reference.py`.
extension Preprocessing {
    public static let imageNetMean: [Float] = [0.485, 0.456, 0.406]
    public static let imageNetStd: [Float] = [0.229, 0.224, 0.225]
    public static let clipMean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    public static let clipStd: [Float] = [0.26862954, 0.26130258, 0.27577711]

    /// OpenAI CLIP `_transform(224)`: Resize(224, bicubic), CenterCrop(224), CLIP mean/std.
    public static let clipRN50 = Preprocessing(name: "clip-rn50", resize: .shorterSide(224), filter: .bicubic,
                                               cropWidth: 224, cropHeight: 224, mean: clipMean, std: clipStd)
    /// OpenAI CLIP ViT-B/32: the same transform as RN-50 (input resolution 224).
    public static let clipViTB32 = Preprocessing(name: "clip-vit-b32", resize: .shorterSide(224), filter: .bicubic,
                                                 cropWidth: 224, cropHeight: 224, mean: clipMean, std: clipStd)
    /// Hugging Face `ConvNextImageProcessor` of `facebook/convnextv2-tiny-1k-224`: size 224,
    /// crop_pct 224/256, so shortest edge `int(224 / 0.875)` = 256, bicubic, crop 224 with
    /// floor offsets, ImageNet mean/std.
    public static let convNeXtV2Tiny = Preprocessing(name: "convnextv2-tiny", resize: .shorterSide(Int(224 / 0.875)), filter: .bicubic,
                                                     cropWidth: 224, cropHeight: 224, cropFraction: 0.875, cropRounding: .floor,
                                                     mean: imageNetMean, std: imageNetStd)
    /// DINOv2 `make_classification_eval_transform`: Resize(256, bicubic), CenterCrop(224), ImageNet.
    public static let dinoV2 = Preprocessing(name: "dinov2", resize: .shorterSide(256), filter: .bicubic,
                                             cropWidth: 224, cropHeight: 224, cropFraction: 224.0 / 256, mean: imageNetMean, std: imageNetStd)
    /// torchvision `ResNet50_Weights.IMAGENET1K_V2.transforms()`: resize 232 bilinear, crop 224.
    public static let resNet50 = Preprocessing(name: "resnet50", resize: .shorterSide(232), filter: .bilinear,
                                               cropWidth: 224, cropHeight: 224, mean: imageNetMean, std: imageNetStd)
    /// torchvision `ViT_B_32_Weights.IMAGENET1K_V1.transforms()`: resize 256 bilinear, crop 224.
    public static let vitB32 = Preprocessing(name: "vit-b32", resize: .shorterSide(256), filter: .bilinear,
                                             cropWidth: 224, cropHeight: 224, mean: imageNetMean, std: imageNetStd)
    /// torchvision `VGG19_BN_Weights.IMAGENET1K_V1.transforms()`: resize 256 bilinear, crop 224.
    public static let vgg19BN = Preprocessing(name: "vgg19-bn", resize: .shorterSide(256), filter: .bilinear,
                                              cropWidth: 224, cropHeight: 224, mean: imageNetMean, std: imageNetStd)
    /// timm `inception_resnet_v2` eval transform: input 299, crop_pct 0.8975, so
    /// Resize(floor(299 / 0.8975) = 333, bicubic), CenterCrop(299), mean/std 0.5.
    public static let inceptionResNetV2 = Preprocessing(name: "inception-resnet-v2", resize: .shorterSide(333), filter: .bicubic,
                                                        cropWidth: 299, cropHeight: 299, cropFraction: 0.8975,
                                                        mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
    /// EfficientNet-Lite0 (TF reference, timm `tf_efficientnet_lite0`): bicubic shorter side 256,
    /// crop 224, `(v - 127) / 128`, i.e. mean 127/255 and std 128/255 on the [0, 1] scale.
    public static let efficientNetLite0 = Preprocessing(name: "efficientnet-lite0", resize: .shorterSide(256), filter: .bicubic,
                                                        cropWidth: 224, cropHeight: 224, cropFraction: 0.875,
                                                        mean: [127.0 / 255, 127.0 / 255, 127.0 / 255],
                                                        std: [128.0 / 255, 128.0 / 255, 128.0 / 255])

    /// Every built-in recipe.
    public static let models: [Preprocessing] = [
        clipRN50, clipViTB32, convNeXtV2Tiny, dinoV2, resNet50, vitB32, vgg19BN, inceptionResNetV2, efficientNetLite0,
    ]

    /// The built-in recipe called `name` (e.g. "clip-vit-b32"), or nil.
    public static func named(_ name: String) -> Preprocessing? {
        models.first { $0.name == name }
    }
}
