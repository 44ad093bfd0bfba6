// hace_i18n holds only the compiled translations (a Qt resource object library attached by
// qt_add_translations); a static library needs one object file of its own.
namespace hace::views::detail {
int i18nAnchor() {
    return 0;
}
}  // namespace hace::views::detail
